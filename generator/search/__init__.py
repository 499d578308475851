"""Client-side search: the tokenizer (the same rules as the browser's), the sharded index, and the search stage."""
