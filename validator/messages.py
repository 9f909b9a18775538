"""Issue messages in Thai (English comes from the engines themselves).

Thai text is built from templates per JSON Schema keyword, per XSD validation
rule, and per parse problem; the English detail is kept in brackets where a
template cannot carry the engine's specifics (a value, a pattern).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .report import Issue

__all__ = ["detect_issue", "json_message_th", "parse_issue", "xml_message_th"]

_FORMAT_TH = {
    "th-national-id": "เลขประจำตัวประชาชน 13 หลักที่เลขตรวจสอบถูกต้อง",
    "th-juristic-id": "เลขทะเบียนนิติบุคคล 13 หลักที่เลขตรวจสอบถูกต้อง",
    "th-tax-id": "เลขประจำตัวผู้เสียภาษี 13 หลักที่เลขตรวจสอบถูกต้อง",
    "th-postcode": "รหัสไปรษณีย์ 5 หลัก",
    "th-province-code": "รหัสจังหวัดของกรมการปกครอง",
    "th-be-date": "วันที่ปีพุทธศักราช (ปปปป-ดด-วว)",
    "date": "วันที่ (YYYY-MM-DD)",
    "date-time": "วันและเวลา (RFC 3339)",
    "email": "อีเมล",
    "uri": "URI",
    "time": "เวลา",
}

_TYPE_TH = {
    "string": "ข้อความ",
    "integer": "จำนวนเต็ม",
    "number": "ตัวเลข",
    "boolean": "ค่าจริง/เท็จ",
    "object": "ออบเจกต์",
    "array": "อาร์เรย์",
    "null": "null",
}


def _type_th(expected: Any) -> str:
    if isinstance(expected, list):
        return " หรือ ".join(_TYPE_TH.get(t, str(t)) for t in expected)
    return _TYPE_TH.get(str(expected), str(expected))


def json_message_th(error: Any) -> str:
    """Thai message for a ``jsonschema.ValidationError``."""
    keyword = error.validator
    value = error.validator_value
    instance = error.instance
    if keyword == "required":
        missing = [p for p in value if isinstance(instance, dict) and p not in instance]
        return f"ขาดข้อมูลที่จำเป็น: {', '.join(missing) or value}"
    if keyword == "type":
        return f"ชนิดข้อมูลไม่ถูกต้อง: ต้องเป็น{_type_th(value)}"
    if keyword == "format":
        return f"รูปแบบข้อมูลไม่ถูกต้อง: {instance!r} ไม่ใช่{_FORMAT_TH.get(value, value)}"
    if keyword in ("enum", "const"):
        return f"ค่า {instance!r} ไม่อยู่ในค่าที่กำหนด"
    if keyword == "pattern":
        return f"ค่า {instance!r} ไม่ตรงกับรูปแบบ {value}"
    if keyword == "additionalProperties":
        names = re.search(r"\((.+) (?:was|were) unexpected\)", error.message or "")
        return "มีข้อมูลที่มาตรฐานไม่ได้กำหนดไว้" + (f": {names.group(1)}" if names else "")
    if keyword == "unevaluatedProperties":
        return "มีข้อมูลที่มาตรฐานไม่ได้กำหนดไว้"
    if keyword in ("minLength", "maxLength"):
        word = "น้อยกว่า" if keyword == "minLength" else "มากกว่า"
        return f"ความยาวข้อความ{word}ที่กำหนด ({value} ตัวอักษร)"
    if keyword in ("minimum", "exclusiveMinimum"):
        return f"ค่าน้อยกว่าที่กำหนด ({value})"
    if keyword in ("maximum", "exclusiveMaximum"):
        return f"ค่ามากกว่าที่กำหนด ({value})"
    if keyword in ("minItems", "maxItems"):
        word = "น้อยกว่า" if keyword == "minItems" else "มากกว่า"
        return f"จำนวนรายการ{word}ที่กำหนด ({value})"
    if keyword == "uniqueItems":
        return "รายการซ้ำกัน"
    if keyword == "multipleOf":
        return f"ค่าต้องเป็นพหุคูณของ {value}"
    if keyword in ("oneOf", "anyOf"):
        return "ข้อมูลไม่ตรงกับรูปแบบที่อนุญาตแบบใดเลย" if keyword == "anyOf" else "ข้อมูลต้องตรงกับรูปแบบที่อนุญาตเพียงแบบเดียว"
    if keyword == "not":
        return "ข้อมูลตรงกับรูปแบบที่ห้ามใช้"
    if keyword in ("minProperties", "maxProperties"):
        return f"จำนวนข้อมูลในออบเจกต์ไม่อยู่ในช่วงที่กำหนด ({value})"
    if keyword == "dependentRequired":
        return "ขาดข้อมูลที่จำเป็นเมื่อมีข้อมูลอื่นอยู่"
    if keyword == "false":
        return "ไม่อนุญาตให้มีข้อมูลนี้"
    if keyword == "dependentSchemas":
        return "ข้อมูลไม่เป็นไปตามเงื่อนไขที่ขึ้นกับข้อมูลอื่น"
    if keyword in ("contains", "minContains", "maxContains"):
        return "จำนวนรายการที่ตรงตามเงื่อนไขไม่เป็นไปตามที่กำหนด"
    if keyword == "propertyNames":
        return f"ชื่อข้อมูล {instance!r} ไม่เป็นไปตามที่กำหนด"
    if keyword == "unevaluatedItems":
        return "มีรายการที่มาตรฐานไม่ได้กำหนดไว้"
    return f"ข้อมูลไม่เป็นไปตามมาตรฐาน ({error.message})"


# libxml2 rule → Thai template; `{detail}` is the English message
_XSD_TH = {
    "cvc-complex-type.2.4": "โครงสร้างเอกสารไม่ถูกต้อง: พบหรือขาดองค์ประกอบที่ตำแหน่งนี้",
    "cvc-complex-type.2.3": "องค์ประกอบนี้ต้องไม่มีข้อความ",
    "cvc-complex-type.3.2.2": "มีแอตทริบิวต์ที่มาตรฐานไม่ได้กำหนดไว้",
    "cvc-complex-type.4": "ขาดแอตทริบิวต์ที่จำเป็น",
    "cvc-pattern-valid": "ค่าไม่ตรงกับรูปแบบที่กำหนด",
    "cvc-enumeration-valid": "ค่าไม่อยู่ในรายการค่าที่กำหนด",
    "cvc-length-valid": "ความยาวไม่ตรงตามที่กำหนด",
    "cvc-minLength-valid": "ความยาวน้อยกว่าที่กำหนด",
    "cvc-maxLength-valid": "ความยาวมากกว่าที่กำหนด",
    "cvc-minInclusive-valid": "ค่าน้อยกว่าที่กำหนด",
    "cvc-maxInclusive-valid": "ค่ามากกว่าที่กำหนด",
    "cvc-minExclusive-valid": "ค่าน้อยกว่าหรือเท่ากับขอบเขตที่กำหนด",
    "cvc-maxExclusive-valid": "ค่ามากกว่าหรือเท่ากับขอบเขตที่กำหนด",
    "cvc-totalDigits-valid": "จำนวนหลักเกินที่กำหนด",
    "cvc-fractionDigits-valid": "จำนวนทศนิยมเกินที่กำหนด",
    "cvc-datatype-valid.1.2.1": "ค่าไม่ถูกต้องตามชนิดข้อมูล",
    "cvc-elt.1": "ไม่พบการประกาศองค์ประกอบรากในสคีมา",
}


# libxml2's message shapes → Thai; {0}… are the captured names and values
_XSD_SHAPE_SOURCES: list[tuple[str, str]] = [
    (r"This element is not expected\. Expected is one of \( (.+) \)", "ไม่ควรพบองค์ประกอบ {el} ที่ตำแหน่งนี้ องค์ประกอบที่ควรพบคือหนึ่งใน ( {0} )"),
    (r"This element is not expected\. Expected is \( (.+) \)", "ไม่ควรพบองค์ประกอบ {el} ที่ตำแหน่งนี้ องค์ประกอบที่ควรพบคือ {0}"),
    (r"This element is not expected\.", "ไม่ควรพบองค์ประกอบ {el} ที่ตำแหน่งนี้"),
    (r"Missing child element\(s\)\. Expected is one of \( (.+) \)", "องค์ประกอบ {el} ขาดองค์ประกอบย่อยที่จำเป็น ต้องมีหนึ่งใน ( {0} )"),
    (r"Missing child element\(s\)\. Expected is \( (.+) \)", "องค์ประกอบ {el} ขาดองค์ประกอบย่อยที่จำเป็น: {0}"),
    (r"\[facet 'pattern'\] The value '(.*)' is not accepted by the pattern '(.*)'", "{el}: ค่า '{0}' ไม่ตรงกับรูปแบบที่กำหนด '{1}'"),
    (r"\[facet 'enumeration'\] The value '(.*)' is not an element of the set \{(.*)\}", "{el}: ค่า '{0}' ไม่อยู่ในรายการค่าที่กำหนด {{{1}}}"),
    (r"\[facet 'minLength'\] The value has a length of '(\d+)'; this underruns the allowed minimum length of '(\d+)'", "{el}: ความยาว {0} ตัวอักษร น้อยกว่าขั้นต่ำที่กำหนด {1} ตัวอักษร"),
    (r"\[facet 'maxLength'\] The value has a length of '(\d+)'; this exceeds the allowed maximum length of '(\d+)'", "{el}: ความยาว {0} ตัวอักษร เกินกว่าที่กำหนด {1} ตัวอักษร"),
    (r"\[facet 'length'\] The value has a length of '(\d+)'; this differs from the allowed length of '(\d+)'", "{el}: ความยาว {0} ตัวอักษร ไม่ตรงกับที่กำหนด {1} ตัวอักษร"),
    (r"\[facet 'minInclusive'\] The value '(.*)' is less than the minimum value allowed \('(.*)'\)", "{el}: ค่า {0} น้อยกว่าค่าต่ำสุดที่อนุญาต ({1})"),
    (r"\[facet 'maxInclusive'\] The value '(.*)' is greater than the maximum value allowed \('(.*)'\)", "{el}: ค่า {0} มากกว่าค่าสูงสุดที่อนุญาต ({1})"),
    (r"\[facet 'minExclusive'\] The value '(.*)' must be greater than '(.*)'", "{el}: ค่า {0} ต้องมากกว่า {1}"),
    (r"\[facet 'maxExclusive'\] The value '(.*)' must be less than '(.*)'", "{el}: ค่า {0} ต้องน้อยกว่า {1}"),
    (r"\[facet 'totalDigits'\] The value '(.*)' has more digits than are allowed \('(\d+)'\)", "{el}: ค่า {0} มีจำนวนหลักเกินกว่าที่อนุญาต ({1} หลัก)"),
    (r"\[facet 'fractionDigits'\] The value '(.*)' has more fractional digits than are allowed \('(\d+)'\)", "{el}: ค่า {0} มีทศนิยมเกินกว่าที่อนุญาต ({1} ตำแหน่ง)"),
    (r"'(.*)' is not a valid value of the (?:local )?(?:atomic|list|union) type(?: '(.*)')?", "{el}: ค่า '{0}' ไม่ถูกต้องตามชนิดข้อมูล {1}"),
    (r"The attribute '(.*)' is not allowed", "{el}: ไม่อนุญาตให้มีแอตทริบิวต์ '{0}'"),
    (r"The attribute '(.*)' is required but missing", "{el}: ขาดแอตทริบิวต์ที่จำเป็น '{0}'"),
    (r"No matching global declaration available for the validation root", "ไม่พบการประกาศองค์ประกอบราก {el} ในสคีมา"),
    (r"Character content other than whitespace is not allowed", "{el}: ไม่อนุญาตให้มีข้อความ ต้องมีเฉพาะองค์ประกอบย่อย"),
    (r"Element content is not allowed, because the content type is a simple type", "{el}: ไม่อนุญาตให้มีองค์ประกอบย่อย ต้องเป็นค่าข้อมูลเท่านั้น"),
    (r"This element is not nillable", "{el}: ไม่อนุญาตให้กำหนดค่า nil"),
]
_ELEMENT_NAME = re.compile(r"^Element '([^']+)'(?:, attribute '([^']+)')?:\s*")


@lru_cache(maxsize=1)
def _xsd_shapes_th() -> list[tuple[re.Pattern[str], str]]:
    """The shapes compiled on first need: a run without XSD issues never pays for them."""
    return [(re.compile(pattern), template) for pattern, template in _XSD_SHAPE_SOURCES]


def xml_message_th(rule: str, message: str) -> str:
    """Thai message for an XSD issue: libxml2's common message shapes in full Thai,
    anything else as the rule's Thai summary with the English detail."""
    head = _ELEMENT_NAME.match(message)
    element = f"'{head.group(1)}'" + (f" แอตทริบิวต์ '{head.group(2)}'" if head and head.group(2) else "") if head else "องค์ประกอบนี้"
    body = message[head.end():] if head else message
    for pattern, template in _xsd_shapes_th():
        match = pattern.search(body)
        if match:
            groups = [g if g is not None else "" for g in match.groups()]
            return template.format(*groups, el=element).replace(" ที่กำหนด ''", "").strip()
    summary = _XSD_TH.get(rule)
    return f"{summary} ({message})" if summary else f"เอกสารไม่เป็นไปตามสคีมา ({message})"


_PARSE_TH = {
    "invalid-utf8": "เอกสารไม่ได้เข้ารหัสเป็น UTF-8 ที่ถูกต้อง",
    "json-syntax": "เอกสาร JSON มีรูปแบบไม่ถูกต้อง",
    "xml-syntax": "เอกสาร XML มีรูปแบบไม่ถูกต้อง",
    "too-deep": "เอกสารซ้อนกันลึกเกินกว่าจะตรวจได้อย่างปลอดภัย",
    "dtd-forbidden": "ไม่อนุญาตให้มีการประกาศ DTD (DOCTYPE) ในเอกสาร",
    "too-large": "เอกสารมีขนาดเกินกว่าที่กำหนด",
    "unreadable": "อ่านไฟล์ไม่ได้",
    "unknown-format": "ไม่ทราบว่าเอกสารเป็น JSON หรือ XML",
    "wrong-form": "มาตรฐานที่เลือกไม่มีสคีมาสำหรับเอกสารรูปแบบนี้",
}


def parse_issue(rule: str, message: str, line: int | None = None, column: int | None = None) -> Issue:
    """A ``parse`` issue: the document could not be read as JSON or XML."""
    th = _PARSE_TH.get(rule, "อ่านเอกสารไม่ได้")
    return Issue(
        message=message,
        message_th=f"{th} ({message})",
        rule=rule,
        source="parse",
        line=line,
        column=column or (1 if line else None),
    )


_DETECT_TH = {
    "unknown-document": "ไม่พบมาตรฐานที่ตรงกับเอกสารนี้",
    "unsupported-version": "มาตรฐานนี้ไม่มีรุ่นที่ตรงกับเครื่องหมายรุ่นของเอกสาร",
    "no-version-in-force": "ไม่มีรุ่นของมาตรฐานนี้ที่มีผลใช้บังคับในวันที่กำหนด",
}


def detect_issue(rule: str, message: str, location: str = "") -> Issue:
    """The document's standard or version cannot be told (a ``schema`` issue: no schema applies)."""
    return Issue(
        message=message,
        message_th=f"{_DETECT_TH.get(rule, 'ระบุมาตรฐานของเอกสารไม่ได้')} ({message})",
        rule=rule,
        source="schema",
        location=location,
    )
