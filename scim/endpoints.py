"""The SCIM endpoints: django-scim2's views, with the gaps Okta runs into closed.

Each view answers application/scim+json only. Bad input is a 400 with a scimType, an
unknown id a 404, a directory refusal a 403 (audited), and anything unexpected a SCIM
500 without a stack trace. SCIM sees only the rows Okta owns: local accounts and groups
are absent from lists and filters, and their ids answer 404 like unknown ones.
"""

import json
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from django_scim import exceptions, views
from django_scim.constants import SchemaURI
from django_scim.settings import scim_settings

from querypie_admin import directory
from querypie_admin.models import AuthProvider, Group
from querypie_admin.roles import Access, AccessRule

from . import reads
from .adapters.base import caller_of, with_scim_link
from .adapters.group_roles import RoleWatch
from .adapters.groups import member_rows, members_added
from .adapters.users import attach_groups, with_groups
from .attributes import parse_list, project, wants
from .errors import bad_request, error_body, failure_response, scim_response
from .ids import parse_id
from .schemas import MAX_RESULTS

logger = logging.getLogger(__name__)
MAX_START_INDEX = 2**31  # past every row; larger values would overflow the SQL OFFSET


class ScimViewMixin:
    """Authentication, JSON bodies and errors for every SCIM view."""

    # No console session opens SCIM: the SCIM bearer token does (scim.auth.ScimTokenCheck).
    access_rule = AccessRule(Access.ANONYMOUS, Access.ANONYMOUS)

    @method_decorator(csrf_exempt)
    @method_decorator(scim_settings.AUTH_CHECK_MIDDLEWARE)
    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            if not getattr(self, "implemented", True):
                return scim_response(error_body(501, "Not supported by this server"), 501)
            handler = getattr(self, request.method.lower(), None)
            allowed = request.method.lower() in self.http_method_names and handler is not None
            if not allowed or kwargs.pop("not_allowed", False):
                return self.http_method_not_allowed(request)
            return handler(request, *args, **kwargs)
        except (exceptions.SCIMException, directory.Refused, directory.DirectoryInvalid) as exc:
            return failure_response(exc)
        except RequestDataTooBig:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            detail = f"The body is larger than {limit // (1024 * 1024)} MB"
            return scim_response(error_body(413, detail, "tooLarge"), 413)
        except Exception:
            logger.exception("SCIM request failed: %s %s", request.method, request.path)
            return scim_response(error_body(500, "The request could not be completed"), 500)

    def http_method_not_allowed(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = scim_response(error_body(405, f"{request.method} is not allowed here"), 405)
        response["Allow"] = ", ".join(m.upper() for m in self.http_method_names)
        return response

    def load_body(self, body: bytes) -> dict:
        try:
            text = body.decode("utf-8").strip() or "{}"
            data = json.loads(text)
            has_nul = "\\u0000" in text and _has_nul(data)  # JSON sends a NUL only escaped
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise bad_request("The body is not valid JSON", "invalidSyntax") from exc
        if not isinstance(data, dict):
            raise bad_request("The body must be a JSON object", "invalidSyntax")
        if has_nul:
            raise bad_request("The body contains a NUL character")
        return data


def _has_nul(value: Any) -> bool:
    """PostgreSQL stores no U+0000 in text or jsonb: such a body is refused before any write."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class ResourceViewMixin(ScimViewMixin):
    """Users and Groups: lookups, lists with real counts, PATCH applied in one save."""

    @method_decorator(csrf_exempt)
    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        """PUT, PATCH and DELETE name one resource; POST creates in the collection."""
        needs_id = request.method in ("PUT", "PATCH", "DELETE")
        if needs_id != bool(kwargs.get(self.lookup_url_kwarg)) and request.method != "GET":
            return super().dispatch(request, *args, **{**kwargs, "not_allowed": True})
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        uuid = self.kwargs.get(self.lookup_url_kwarg) or ""
        pk = parse_id(uuid)
        rows = with_scim_link(self.base_queryset())
        obj = rows.filter(pk=pk).first() if pk is not None else None
        if obj is None:
            raise exceptions.NotFoundError(uuid)
        return obj

    def adapter(self, obj, request: HttpRequest):
        return self.scim_adapter(obj, request=request)

    def render(self, request: HttpRequest, obj, status: int = 200) -> HttpResponse:
        scim_obj = self.adapter(obj, request)
        attributes, excluded = self._attribute_params(request)
        scim_obj.include_members = wants("members", attributes, excluded)
        body = project(scim_obj.to_dict(), attributes, excluded, scim_obj.extensions)
        response = scim_response(body, status)
        response["Location"] = scim_obj.location
        return response

    def _attribute_params(self, request: HttpRequest, body: dict | None = None):
        source = body if body is not None else request.GET
        attributes, excluded = source.get("attributes"), source.get("excludedAttributes")
        return parse_list(attributes), parse_list(excluded)

    def get_single(self, request: HttpRequest) -> HttpResponse:
        return self.render(request, self.get_object())

    def get_many(self, request: HttpRequest) -> HttpResponse:
        return self._list_response(request, request.GET.get("filter"), *self._page(request.GET))

    def search_queryset(self, query: str) -> QuerySet:
        matching = self.__class__.parser_getter().search(query, self.request)
        return self.scoped(matching).order_by("pk")

    def scoped(self, qs: QuerySet) -> QuerySet:
        """Only the rows Okta owns (each page brings their SCIM links: `with_scim_link`)."""
        return qs.filter(auth_provider=AuthProvider.OKTA)

    def base_queryset(self) -> QuerySet:
        return self.scoped(self.model_cls.objects.all())

    def _page(self, params) -> tuple[int, int]:
        try:
            start = min(max(int(params.get("startIndex") or 1), 1), MAX_START_INDEX)
            count = min(max(int(params.get("count", MAX_RESULTS)), 0), MAX_RESULTS)
        except (TypeError, ValueError) as exc:
            raise bad_request("startIndex and count must be integers") from exc
        return start, count

    def _list_response(self, request, query, start, count, body=None) -> HttpResponse:
        """A ListResponse: Okta's frequent reads from one prepared statement (`prepared_page`),
        any other from the ORM."""
        attributes, excluded = self._attribute_params(request, body)
        found = self.prepared_page(query, start, count) if reads.available() else None
        if found is None:
            qs = self.search_queryset(query) if query else self.base_queryset().order_by("pk")
            found = self._orm_page(qs, start, count, attributes, excluded)
        page, total = found
        page = self.load_page(page, attributes, excluded)
        include_members = wants("members", attributes, excluded)
        resources = []
        for obj in page:
            scim_obj = self.adapter(obj, request)
            scim_obj.include_members = include_members
            resources.append(project(scim_obj.to_dict(), attributes, excluded, scim_obj.extensions))
        doc = {
            "schemas": [SchemaURI.LIST_RESPONSE],
            "totalResults": total,
            "itemsPerPage": len(resources),
            "startIndex": start,
            "Resources": resources,
        }
        return scim_response(doc)

    def prepared_page(self, query: str | None, start: int, count: int) -> tuple[list, int] | None:
        """(page, totalResults) of the reads scim.reads answers, else None (the ORM's)."""
        return None

    def _orm_page(self, qs, start, count, attributes, excluded) -> tuple[list, int]:
        rows = with_scim_link(qs)[start - 1 : start - 1 + count]
        page = self.load_rows(rows, attributes, excluded)
        short_first_page = start == 1 and len(page) < count
        return page, len(page) if short_first_page else qs.count()  # Okta's look-ups: one query

    def load_rows(self, qs: QuerySet, attributes: list, excluded: list) -> list:
        """One page of the ORM's rows, with what rendering needs brought by the same query."""
        return list(qs)

    def load_page(self, page: list, attributes: list, excluded: list) -> list:
        """A page of resources with what rendering them needs, loaded in bulk."""
        return page

    def write(self, request: HttpRequest, scim_obj, status: int) -> HttpResponse:
        scim_obj.save()
        return self.render(request, scim_obj.obj, status)

    def delete(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.adapter(self.get_object(), request).delete()
        return scim_response(None, 204)

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        body = self.load_body(request.body)
        scim_obj = self.adapter(self.model_cls(), request)
        scim_obj.validate_dict(body)
        scim_obj.from_dict(body)
        return self.write(request, scim_obj, 201)

    def put(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        scim_obj = self.adapter(self.get_object(), request)
        body = self.load_body(request.body)
        scim_obj.validate_dict(body)
        scim_obj.from_dict(body)
        return self.write(request, scim_obj, 200)

    def patch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        scim_obj = self.adapter(self.get_object(), request)
        body = self.load_body(request.body)
        schemas = body.get("schemas")
        if not isinstance(schemas, list) or SchemaURI.PATCH_OP not in schemas:
            raise bad_request("A PATCH body must use the PatchOp schema", "invalidSyntax")
        scim_obj.handle_operations(body.get("Operations"))
        return self.patched(request, scim_obj)

    def patched(self, request: HttpRequest, scim_obj) -> HttpResponse:
        return self.write(request, scim_obj, 200)


class UsersView(ResourceViewMixin, views.UsersView):
    def prepared_page(self, query: str | None, start: int, count: int) -> tuple[list, int] | None:
        """Okta's `userName eq` look-up (one user at most)."""
        login_id = reads.okta_username(query)
        if login_id is None or start != 1 or count < 1:
            return None
        users = reads.user_by_login(login_id)
        return users, len(users)

    def load_rows(self, qs: QuerySet, attributes: list, excluded: list) -> list:
        """On PostgreSQL each user's Okta groups come in the page's own query."""
        return list(with_groups(qs) if wants("groups", attributes, excluded) else qs)

    def load_page(self, page: list, attributes: list, excluded: list) -> list:
        """Each user's Okta groups, as plain rows (in one more query on SQLite)."""
        if wants("groups", attributes, excluded):
            attach_groups(page)
        else:
            for user in page:
                user.scim_groups = []  # not returned: not read
        return page


class GroupsView(ResourceViewMixin, views.GroupsView):
    def prepared_page(self, query: str | None, start: int, count: int) -> tuple[list, int] | None:
        """A page of groups without a filter, as Okta reads them."""
        return reads.groups_page(start, count) if query is None and count > 0 else None

    def load_page(self, page: list, attributes: list, excluded: list) -> list:
        """Members of the whole page in one query of (group, user, login) rows, no User objects.

        A page of 100 groups may hold a 10,000-member group: building model instances for
        each member made GET /Groups miss Okta's 600 ms; plain rows keep it well under.
        """
        if wants("members", attributes, excluded):
            members = member_rows([g.pk for g in page])
            for group in page:
                group.scim_members = members[group.pk]
        return page

    def patch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        """A PATCH that only adds members, as Okta sends each membership, is one statement
        when the group is SCIM's and every user Okta's (directory.add_members_at_once);
        any other PATCH, or one that statement leaves undecided, goes through the adapter."""
        if self._members_added_at_once(request):
            return scim_response(None, 204)
        return super().patch(request, *args, **kwargs)

    def _members_added_at_once(self, request: HttpRequest) -> bool:
        pk = parse_id(self.kwargs.get(self.lookup_url_kwarg) or "")
        try:
            user_ids = members_added(self.load_body(request.body))
        except exceptions.SCIMException:
            return False  # the adapter's path answers it, after the 404 of an unknown group
        if pk is None or user_ids is None:
            return False
        caller = caller_of(request)
        done = directory.add_members_at_once(caller, pk, user_ids)
        if done is None:
            return False
        watch = RoleWatch(Group(pk=pk), same_ids=True, known_ids=done.okta_ids)
        watch.touch(user_ids)
        watch.apply(caller)  # the membership is committed: the roles follow, never an error
        return True

    def patched(self, request: HttpRequest, scim_obj) -> HttpResponse:
        """204, as RFC 7644 §3.5.2 allows: a 10,000-member group is not sent back each time."""
        scim_obj.save()
        return scim_response(None, 204)


class SearchMixin:
    """POST /Users/.search and /Groups/.search (RFC 7644 §3.4.3)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        body = self.load_body(request.body)
        if body.get("schemas") != [SchemaURI.SERACH_REQUEST]:
            raise bad_request("The body must use the SearchRequest schema", "invalidSyntax")
        return self._list_response(request, body.get("filter"), *self._page(body), body=body)


class UserSearchView(SearchMixin, UsersView):
    pass


class GroupSearchView(SearchMixin, GroupsView):
    pass
