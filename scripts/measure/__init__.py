"""Measuring the app on the local stack: DynamoDB units and item sizes, the
cost model `make cost` prices, the frontend bundle budget `make bench` prints."""
