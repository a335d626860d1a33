"""One router per feature; each calls the service facade and nothing below it."""
