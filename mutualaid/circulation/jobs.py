"""circulation's periodic jobs (found by mutualaid.core.periodic, which imports every app's `jobs.py`)."""
from mutualaid.core.periodic import periodic

periodic("circulation.needs_expire_overdue", "mutualaid.circulation.services.needs_expire_overdue",
         minutes=5, says="expired {} need(s)")
# The suggestions sub-domain's job, named by its dotted path (circulation imports nothing of it).
periodic("circulation.suggestions_work_out", "mutualaid.circulation.suggestions.services.suggestions_work_out_all",
         minutes=10, says="worked out the suggestions of {} scope(s)")
