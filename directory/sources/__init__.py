"""Where the directory sync reads the company from: each source returns a
directory.snapshot.Snapshot."""
