"""Model: places, parameters, the graph for a year, scenarios and their changes."""
