"""Scale-out checks on a compiled spec (pure): the estimated series count (``series``) and the
diagnostics of the ruler's group limits and of the series budget (``checks``)."""
