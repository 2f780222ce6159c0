"""Pure scoring functions: matching gold and predicted items, and the entity, coreference, event and stance metrics."""
