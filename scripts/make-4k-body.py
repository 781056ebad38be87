#!/usr/bin/env python3
"""Writes a unary generateContent body like Nano Banana Pro's 4K reply: thoughts, a signed
text part and a signed 8 MB image (incompressible bytes), signatures of 600 KB."""
import base64, json, os, sys

image = base64.b64encode(os.urandom(8_000_000)).decode()
signature = base64.b64encode(os.urandom(450_000)).decode()
body = {
    "candidates": [{
        "content": {"role": "model", "parts": [
            {"text": "**Planning**\n\nA layout with three panels.", "thought": True},
            {"text": "Here is the infographic.", "thoughtSignature": signature},
            {"inlineData": {"mimeType": "image/jpeg", "data": image}, "thoughtSignature": signature},
        ]},
        "finishReason": "STOP", "index": 0,
    }],
    "usageMetadata": {"promptTokenCount": 12, "candidatesTokenCount": 2000, "thoughtsTokenCount": 210,
                      "totalTokenCount": 2222,
                      "candidatesTokensDetails": [{"modality": "IMAGE", "tokenCount": 2000}]},
    "modelVersion": "gemini-3-pro-image-preview", "responseId": "bench",
}
with open(sys.argv[1], "w") as f:
    json.dump(body, f, separators=(",", ":"))
