"""The FastAPI service face: routers calling the service facade."""
