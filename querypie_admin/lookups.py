"""`field__ci_exact=value`: case-insensitive equality that uses the LOWER() unique indexes.

Django's `iexact` compiles to UPPER(...) on PostgreSQL, which cannot use the functional
LOWER(login_id) / LOWER(name) indexes behind our case-insensitive unique constraints, so
every login look-up would scan the whole user table.
"""

from django.db.models import CharField, Lookup


@CharField.register_lookup
class CaseInsensitiveExact(Lookup):
    lookup_name = "ci_exact"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"LOWER({lhs}) = LOWER({rhs})", [*lhs_params, *rhs_params]
