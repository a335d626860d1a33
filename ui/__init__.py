"""The Gradio front end, mounted into the API app and calling the service facade."""
