"""Synthetic annual reports for the tests: an abstract report laid out as the official forms print
it (`form`), and renderers turning it into the file kinds the service reads (HTML, DOCX, ...)."""
