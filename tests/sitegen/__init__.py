"""Test-only re-implementation of the Devdiscourse site: page generator, corpus, fixtures, loopback mirror."""
