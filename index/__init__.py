"""Index: the SQLite registry, embeddings, the FAISS and tantivy generations, and hybrid search."""
