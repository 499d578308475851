"""Responsive images: the plan (pure), the codec (Pillow), the worker pool, and the media each document refers to."""
