"""Tables of the talent pool. The scoring and pipeline tables arrive with the talent pool issue."""
