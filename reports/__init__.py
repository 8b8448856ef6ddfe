"""Reports: renders the weekly relationship report from the public SQL views only."""
