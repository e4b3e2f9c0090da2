"""Coproduce: a platform for co-operative councils and the co-ops they help residents run."""
