#!/usr/bin/env python3
"""Bug: fetches the payload with POST instead of GET (MSG-3 is a GET; the site answers 405), and
retries that as a failure. It never fetches. Must fail: MESH-2."""
import mesh


class PostFetch(mesh.Mesh):
    fetch_method = "POST"


mesh.main(PostFetch)
