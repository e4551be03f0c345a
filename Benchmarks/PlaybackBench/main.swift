// PlaybackBench: arrives with its issue.
print("PlaybackBench: no figures yet")
