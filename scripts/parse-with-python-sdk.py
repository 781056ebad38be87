#!/usr/bin/env python3
"""Times the official Python SDK parsing a body (model_validate_json also decodes the image
bytes). Prints the median of the runs in milliseconds."""
import statistics, sys, time
from google.genai import types

body = open(sys.argv[1], "rb").read()
runs = []
for _ in range(int(sys.argv[2]) if len(sys.argv) > 2 else 15):
    start = time.perf_counter()
    response = types.GenerateContentResponse.model_validate_json(body)
    runs.append((time.perf_counter() - start) * 1000)
assert len(response.candidates[0].content.parts[2].inline_data.data) == 8_000_000
print(f"{statistics.median(runs):.2f}")
