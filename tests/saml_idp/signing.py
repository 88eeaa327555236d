"""XML signatures made by Debian's xmlsec1 binary, with pysaml2's ds:Signature templates.

pysaml2's own sigver module imports pyOpenSSL, whose installed version does not load with
cryptography 46; the signing itself is the same xmlsec1 call pysaml2 makes.
"""

import subprocess
import tempfile

from saml2 import xmldsig as ds

from .keys import KeyPair

XMLSEC1 = "/usr/bin/xmlsec1"


def signature_template(element_id: str, keys: KeyPair, sha1: bool = False) -> ds.Signature:
    """An empty enveloped signature over #element_id, with the signer's certificate."""
    transforms = ds.Transforms(
        transform=[
            ds.Transform(algorithm=ds.TRANSFORM_ENVELOPED),
            ds.Transform(algorithm=ds.TRANSFORM_C14N),
        ]
    )
    reference = ds.Reference(
        uri=f"#{element_id}",
        transforms=transforms,
        digest_method=ds.DigestMethod(algorithm=ds.DIGEST_SHA1 if sha1 else ds.DIGEST_SHA256),
        digest_value=ds.DigestValue(),
    )
    signed_info = ds.SignedInfo(
        canonicalization_method=ds.CanonicalizationMethod(algorithm=ds.TRANSFORM_C14N),
        signature_method=ds.SignatureMethod(
            algorithm=ds.SIG_RSA_SHA1 if sha1 else ds.SIG_RSA_SHA256
        ),
        reference=reference,
    )
    key_info = ds.KeyInfo(
        x509_data=[ds.X509Data(x509_certificate=ds.X509Certificate(text=keys.cert_b64))]
    )
    return ds.Signature(
        signed_info=signed_info, signature_value=ds.SignatureValue(), key_info=key_info
    )


def sign(xml: str, node_name: str, node_id: str, keys: KeyPair) -> str:
    """Fill in the signature template inside the node with ID node_id."""
    with tempfile.NamedTemporaryFile("w", suffix=".xml", encoding="utf-8") as source:
        source.write(xml)
        source.flush()
        result = subprocess.run(
            [
                XMLSEC1,
                "--sign",
                "--privkey-pem",
                keys.key_file,
                "--id-attr:ID",
                node_name,
                "--node-id",
                node_id,
                source.name,
            ],
            capture_output=True,
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"xmlsec1 failed: {result.stderr.decode(errors='replace')}")
    return result.stdout.decode("utf-8")


def verify(xml: str, node_name: str, cert_pem: str) -> bool:
    """Whether xmlsec1 verifies the enveloped signature of node_name with this certificate."""
    with (
        tempfile.NamedTemporaryFile("w", suffix=".xml", encoding="utf-8") as source,
        tempfile.NamedTemporaryFile("w", suffix=".pem", encoding="utf-8") as cert,
    ):
        source.write(xml)
        source.flush()
        cert.write(cert_pem)
        cert.flush()
        command = [XMLSEC1, "--verify", "--pubkey-cert-pem", cert.name]
        command += ["--id-attr:ID", node_name, source.name]
        return subprocess.run(command, capture_output=True, check=False).returncode == 0
