// Click-to-load facades (partials/embed.html): the player's iframe is created only when the
// reader presses the button, so no request reaches the video or slides site before that.
// The iframe src comes from data-embed-src, which the generator builds from a validated ID;
// as a second guard it must be an https URL on one of the known player origins.

const PLAYER_ORIGINS = new Set([
  "https://www.youtube-nocookie.com",
  "https://player.vimeo.com",
  "https://speakerdeck.com",
  "https://www.slideshare.net",
]);

function playerUrl(value) {
  try {
    const url = new URL(value);
    return url.protocol === "https:" && PLAYER_ORIGINS.has(url.origin) ? url : null;
  } catch {
    return null;
  }
}

function activate(figure) {
  const url = playerUrl(figure.dataset.embedSrc || "");
  const poster = figure.querySelector(".embed-poster");
  const button = figure.querySelector(".embed-play");
  if (!url || !poster || !button) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    const frame = document.createElement("div");
    frame.className = "embed-frame";
    const iframe = document.createElement("iframe");
    iframe.src = url.href;
    iframe.title = figure.dataset.embedTitle || "Embedded player";
    iframe.allow = "autoplay; encrypted-media; fullscreen; picture-in-picture";
    iframe.allowFullscreen = true;
    iframe.referrerPolicy = "strict-origin-when-cross-origin";
    frame.append(iframe);
    poster.replaceWith(frame);
    iframe.focus();
  }, { once: true });
}

document.querySelectorAll("figure.embed[data-embed-src]").forEach(activate);
