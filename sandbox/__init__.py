"""Stand-ins for Rackbeat and Dinero, for the demo and the tests. The app never imports this."""
