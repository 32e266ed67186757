# A program not written here: Debian's python3-azure (azure.identity), run with /usr/bin/python3.
# argv: <scope> [seconds to keep asking until the token changes]
import json
import sys
import time

from azure.identity import ManagedIdentityCredential

scope = sys.argv[1]
until_change = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0

try:
    credential = ManagedIdentityCredential()
    tokens = [credential.get_token(scope).token]
    calls = 1
    end = time.time() + until_change
    while time.time() < end:
        time.sleep(0.25)
        token = credential.get_token(scope).token
        calls += 1
        if token != tokens[-1]:
            tokens.append(token)
            break
    print(json.dumps({"calls": calls, "tokens": tokens}))
except Exception as error:  # the test reads the SDK's own error type and message
    print(json.dumps({"error": type(error).__name__, "message": str(error)}))
    sys.exit(3)
