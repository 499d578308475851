"""What a rebuild remembers: the one versioned store, file digests, and page fingerprints."""
