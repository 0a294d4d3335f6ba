"""阳光公开 engine: content files → validated records → site model → pages, feeds, data."""
