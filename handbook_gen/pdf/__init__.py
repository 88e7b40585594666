"""PDFs from built pages with WeasyPrint: review-day packs, blank forms, the other
moments' PDFs and the whole handbook as a book."""
