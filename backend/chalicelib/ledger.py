"""Reading the ledger; entries are written by chalicelib.credits."""
from chalicelib.models import LedgerEntry

DEFAULT_LIMIT = 50


class Ledger:
    def entries(self, user_id, limit=DEFAULT_LIMIT):
        """Newest first; a strongly consistent query of the local index."""
        results = LedgerEntry.by_time.query(
            user_id, scan_index_forward=False, consistent_read=True, limit=limit)
        return [self.view(entry) for entry in results]

    @staticmethod
    def view(entry):
        return {
            "at": entry.at,
            "kind": entry.kind,
            "credits": int(entry.credits),
            "reference": entry.reference or entry.key,
        }
