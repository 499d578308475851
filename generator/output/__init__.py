"""What is written: the staging writer and atomic publish, Netlify's files, and the page-weight report."""
