"""Index: storage interfaces and the embedded backend (SQLite registry, FAISS + tantivy generations),
embedders, and hybrid search."""
