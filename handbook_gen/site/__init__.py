"""Pages, site and engine: Markdown pages from templates, the site engine behind one
seam, our post-processing of its output, staging and the live preview."""
