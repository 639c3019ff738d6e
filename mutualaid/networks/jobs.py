"""networks' periodic jobs (found by mutualaid.core.periodic, which imports every app's `jobs.py`)."""
from mutualaid.core.periodic import periodic

periodic("networks.suspensions_lapse", "mutualaid.networks.services.suspensions_lapse", minutes=10,
         says="{} unconfirmed suspension(s) lapsed")
periodic("networks.tokens_purge_expired", "mutualaid.networks.services.tokens_purge_expired", minutes=60,
         says="{} expired API token(s) deleted")
