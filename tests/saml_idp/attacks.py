"""Attack variants of a signed Response, each made *after* signing, as an attacker would.

Every function takes the signed Response XML and returns modified XML; encode it with
tests.saml_idp.idp.encode before POSTing it.
"""

from copy import deepcopy

from lxml import etree

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"saml": SAML, "samlp": SAMLP, "ds": DS}


def _parse(xml: str) -> etree._Element:
    return etree.fromstring(xml.encode("utf-8"))


def _dump(root: etree._Element) -> str:
    return etree.tostring(root, encoding="unicode")


def tamper_attribute(xml: str, name: str, value: str) -> str:
    """Change an attribute's value after signing."""
    root = _parse(xml)
    nodes = root.xpath(f"//saml:Attribute[@Name='{name}']/saml:AttributeValue", namespaces=NS)
    if not nodes:
        raise ValueError(f"no attribute {name}")
    nodes[0].text = value
    return _dump(root)


def tamper_name_id(xml: str, value: str) -> str:
    root = _parse(xml)
    root.find(".//saml:NameID", NS).text = value
    return _dump(root)


def strip_signatures(xml: str) -> str:
    """Remove every ds:Signature: an unsigned Response and assertion."""
    root = _parse(xml)
    for sig in root.findall(".//ds:Signature", NS):
        sig.getparent().remove(sig)
    return _dump(root)


def inject_comment(xml: str, value: str, split_at: str) -> str:
    """Put <!----> into a signed text value: "user@corp.com.evil.com" split after
    "user@corp.com". Exclusive C14N drops comments, so the signature still verifies; a naive
    reader of the first text node would see only "user@corp.com"."""
    head, _, tail = value.partition(split_at)
    if not tail and not value.endswith(split_at):
        raise ValueError(f"{split_at!r} is not in {value!r}")
    original = f">{value}<"
    if original not in xml:
        raise ValueError(f"{value!r} is not a text value of the document")
    return xml.replace(original, f">{head}{split_at}<!---->{tail}<")


def _evil_copy(assertion: etree._Element, name_id: str, same_id: bool) -> etree._Element:
    evil = deepcopy(assertion)
    for sig in evil.findall("ds:Signature", NS):
        evil.remove(sig)
    evil.find(".//saml:NameID", NS).text = name_id
    if not same_id:
        evil.set("ID", "evil" + assertion.get("ID"))
    return evil


def wrap_signature(xml: str, name_id: str, variant: int = 1) -> str:
    """XML signature wrapping: an unsigned assertion for `name_id` beside the signed one.

    1: the evil assertion comes first, the signed one after it (two assertions).
    2: the evil assertion replaces the signed one, which hides inside the evil assertion's
       Subject extension point (an Advice element) so its signature still verifies.
    3: the evil assertion takes the signed one's ID; the signed one moves into the
       Response's Extensions element.
    """
    root = _parse(xml)
    signed = root.find("saml:Assertion", NS)
    index = list(root).index(signed)
    if variant == 1:
        root.insert(index, _evil_copy(signed, name_id, same_id=False))
    elif variant == 2:
        evil = _evil_copy(signed, name_id, same_id=False)
        root.replace(signed, evil)
        advice = etree.SubElement(evil, f"{{{SAML}}}Advice")
        advice.append(signed)
    elif variant == 3:
        evil = _evil_copy(signed, name_id, same_id=True)
        root.replace(signed, evil)
        extensions = etree.Element(f"{{{SAMLP}}}Extensions")
        extensions.append(signed)
        root.insert(1, extensions)
    else:
        raise ValueError("variant is 1, 2 or 3")
    return _dump(root)
