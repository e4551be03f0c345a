// TUIBench: arrives with its issue.
print("TUIBench: no figures yet")
