"""Helpers a DAG imports its callable from: shipped in the Code package at the same module path."""


def daily_totals(region):
    print(f"totals for {region}")
    return region
