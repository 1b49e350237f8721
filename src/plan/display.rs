//! Printing a plan for `tally plan`.
