"""Reading and saving a connection's settings, shared by the customer's pages (``embedded/``)
and support's assisted setup (``support/``), so both check and store a save the same way."""
