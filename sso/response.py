"""python3-saml's Response, with the configured clock skew applied to SubjectConfirmationData.

python3-saml 1.16 allows a fixed drift on Conditions but none on SubjectConfirmationData. This
subclass hands its SubjectConfirmation check copies whose time bounds are widened by the
configured skew; the original nodes stay untouched for the exact checks in sso.acs.
"""

from copy import deepcopy

from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.utils import OneLogin_Saml2_Utils as U

SCD_XPATH = "/saml:Subject/saml:SubjectConfirmation"


def _shift(node: etree._Element, name: str, seconds: int) -> None:
    value = node.get(name)
    if value:
        node.set(name, U.parse_time_to_SAML(U.parse_SAML_to_time(value) + seconds))


class SkewAwareResponse(OneLogin_Saml2_Response):
    def __init__(self, settings, response: str, skew_seconds: int) -> None:
        self.skew_seconds = skew_seconds
        super().__init__(settings, response)

    def subject_confirmations(self) -> list[etree._Element]:
        """The assertion's SubjectConfirmation nodes, unwidened."""
        return super()._query_assertion(SCD_XPATH)

    def assertion_signature(self) -> etree._Element | None:
        """The signed assertion's own ds:Signature (python3-saml has verified it)."""
        nodes = super()._query_assertion("/ds:Signature")
        return nodes[0] if nodes else None

    def conditions(self) -> etree._Element | None:
        nodes = super()._query_assertion("/saml:Conditions")
        return nodes[0] if len(nodes) == 1 else None

    def _query_assertion(self, xpath_expr: str) -> list:
        nodes = super()._query_assertion(xpath_expr)
        if xpath_expr != SCD_XPATH:
            return nodes
        widened = []
        for node in nodes:
            copy = deepcopy(node)
            data = copy.find("saml:SubjectConfirmationData", namespaces=C.NSMAP)
            if data is not None:
                _shift(data, "NotOnOrAfter", self.skew_seconds)
                _shift(data, "NotBefore", -self.skew_seconds)
            widened.append(copy)
        return widened
