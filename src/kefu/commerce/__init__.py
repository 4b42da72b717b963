"""The shop's data that service needs: products, orders, shipments and returns, with importers."""
