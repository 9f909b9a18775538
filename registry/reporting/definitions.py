"""The definitions printed with every figure, in Thai and English.

They say exactly what the queries in :mod:`registry.reporting.indicators` count, so a
figure can be defended (and recomputed) in an annual review.
"""

from __future__ import annotations

__all__ = ["DEFINITIONS", "definitions"]

DEFINITIONS: dict[str, dict[str, str]] = {
    "indicator15": {
        "en": (
            "Indicator 15 — standards announced: announcements in the catalog's register of announcements (e.g. "
            "ขมธอ. 3-2560) made in the year, each counted once however many document types and versions it covers. "
            "By default only announcements of data structures count (guidelines can be added in the configuration); "
            "illustrative standards never count unless asked for, and are then marked. A standard's first announcement "
            "is new, a later one of the same standard a revision; their sum is the headline. An announcement whose "
            "source gives only its year counts in that year (under fiscal years, in the fiscal year ending in it) and "
            "is marked so. The register holds only announcements seen in a readable source, so the figure is a lower "
            "bound. Compared with the year's target; years without a target show none."
        ),
        "th": (
            "ตัวชี้วัดที่ 15 — จำนวนมาตรฐานที่ประกาศใช้: นับประกาศในทะเบียนประกาศมาตรฐานของแคตตาล็อก (เช่น ขมธอ. 3-2560) "
            "ที่ประกาศในปีนั้น ประกาศละหนึ่งครั้ง ไม่ว่าจะครอบคลุมเอกสารกี่ประเภทและกี่เวอร์ชัน โดยค่าเริ่มต้นนับเฉพาะประกาศที่เป็นโครงสร้างข้อมูล "
            "(เพิ่มแนวปฏิบัติได้ในการตั้งค่า) มาตรฐานตัวอย่างสมมติไม่นับ เว้นแต่สั่งให้นับ และจะมีเครื่องหมายกำกับ "
            "ประกาศแรกของมาตรฐานนับเป็นมาตรฐานใหม่ ประกาศต่อมาของมาตรฐานเดียวกันนับเป็นฉบับปรับปรุง ผลรวมคือตัวเลขหลัก "
            "ประกาศที่แหล่งข้อมูลระบุเพียงปี นับในปีนั้น (กรณีปีงบประมาณ นับในปีงบประมาณที่สิ้นสุดในปีนั้น) และมีเครื่องหมายกำกับ "
            "ทะเบียนมีเฉพาะประกาศที่พบในแหล่งข้อมูลที่อ่านได้ ตัวเลขจึงเป็นค่าต่ำสุด เทียบกับค่าเป้าหมายของปีนั้น ปีที่ไม่มีค่าเป้าหมายจะไม่แสดงค่าเป้าหมาย"
        ),
    },
    "indicator16": {
        "en": (
            "Indicator 16 — agencies exchanging data under common standards, per key sector, as things stood in the "
            "year: the government units of the sector (ministries and departments, provincial and local "
            "administrations, state enterprises, public organisations, independent bodies; registered before the "
            "year ended and not dissolved before it began; in the sector their history gave them then) that were a "
            "party to at least one exchange link with another government party in force during the year, on a "
            "standard version that counted at the time (from its announcement until its sunset, a deprecated version "
            "included), divided by all those units. Declared rate: such a link was in force. Observed rate (the "
            "headline): the unit itself reported, with its own keys, an event record of at least one message over "
            "such a link, its window starting in the year while the version counted; a partner's report alone does "
            "not make it observed. A unit counts once, in its own sector. Links with private juristic persons and "
            "foreign parties are counted apart, as the government–business figure, never in the indicator. Once the "
            "office publishes a year, its published figures stand; a later recomputation is shown beside them as revised."
        ),
        "th": (
            "ตัวชี้วัดที่ 16 — สัดส่วนหน่วยงานในสาขาสำคัญที่แลกเปลี่ยนข้อมูลด้วยมาตรฐานกลาง ตามสภาพในปีนั้น: หน่วยงานภาครัฐของสาขา "
            "(ส่วนราชการ ราชการส่วนภูมิภาคและส่วนท้องถิ่น รัฐวิสาหกิจ องค์การมหาชน องค์กรอิสระ ที่ลงทะเบียนก่อนสิ้นปีและไม่ได้ยุบเลิกก่อนต้นปี "
            "อยู่ในสาขาตามประวัติสาขา ณ ขณะนั้น) ซึ่งเป็นคู่การเชื่อมโยงกับหน่วยงานภาครัฐอื่นอย่างน้อยหนึ่งรายการที่มีผลในปีนั้น "
            "ภายใต้มาตรฐานเวอร์ชันที่ใช้นับได้ในขณะนั้น (ตั้งแต่ประกาศจนถึงวันสิ้นสุดการใช้ รวมเวอร์ชันที่เลิกแนะนำแล้วแต่ยังไม่ถึงวันสิ้นสุด) "
            "หารด้วยจำนวนหน่วยงานดังกล่าวทั้งหมด อัตราตามที่แจ้ง (declared): มีการเชื่อมโยงดังกล่าว "
            "อัตราที่เกิดขึ้นจริง (observed, ตัวเลขหลัก): หน่วยงานนั้นรายงานเหตุการณ์แลกเปลี่ยนข้อมูลอย่างน้อยหนึ่งข้อความบนการเชื่อมโยงนั้นด้วยกุญแจของตนเอง "
            "ซึ่งช่วงเวลาเริ่มในปีนั้นขณะที่เวอร์ชันยังใช้นับได้ รายงานของคู่การเชื่อมโยงฝ่ายเดียวไม่นับ หน่วยงานหนึ่งนับครั้งเดียวในสาขาของตนเอง "
            "การเชื่อมโยงกับนิติบุคคลเอกชนและหน่วยงานต่างประเทศนับแยกเป็นตัวเลขรัฐ–เอกชน ไม่รวมในตัวชี้วัด "
            "เมื่อสำนักงานเผยแพร่ตัวเลขของปีแล้ว ตัวเลขที่เผยแพร่เป็นตัวเลขของปีนั้น การคำนวณใหม่ภายหลังแสดงคู่กันเป็นตัวเลขปรับปรุง"
        ),
    },
    "g2b": {
        "en": (
            "Government–business (activity 4.3), reported beside indicator 16 and never in it: the government units of "
            "the sector party to a counting link with a private juristic person or a foreign party (declared), and "
            "those that reported exchanges over such a link with their own keys (observed); and how many private and "
            "foreign parties had a counting link in the year."
        ),
        "th": (
            "การเชื่อมโยงภาครัฐกับภาคเอกชน (กิจกรรม 4.3) รายงานคู่กับตัวชี้วัดที่ 16 แต่ไม่นับรวม: หน่วยงานภาครัฐของสาขาที่เป็นคู่การเชื่อมโยงที่นับได้ "
            "กับนิติบุคคลเอกชนหรือหน่วยงานต่างประเทศ (ตามที่แจ้ง) และที่รายงานการแลกเปลี่ยนบนการเชื่อมโยงนั้นด้วยกุญแจของตนเอง (เกิดขึ้นจริง) "
            "รวมทั้งจำนวนนิติบุคคลเอกชนและหน่วยงานต่างประเทศที่มีการเชื่อมโยงที่นับได้ในปีนั้น"
        ),
    },
    "no_standard": {
        "en": (
            "Without a common standard (activity 4.1), reported beside indicator 16 and never in it: links declared "
            "without a catalog standard (the document named in the agencies' words, with its format) never count in "
            "the indicator. Declared: the government units of the sector party to such a link with another government "
            "party, in force in the year, and to no link that counted under a standard. Observed: the units that "
            "reported, with their own keys, an event record of at least one message over such a link, its window "
            "starting in the year, and were not observed under a common standard. Observed plus observed without a "
            "standard is every unit seen exchanging with another government party: the difference a new standard could make."
        ),
        "th": (
            "การแลกเปลี่ยนที่ยังไม่มีมาตรฐานกลาง (กิจกรรม 4.1) รายงานคู่กับตัวชี้วัดที่ 16 แต่ไม่นับรวม: การเชื่อมโยงที่แจ้งโดยไม่มีมาตรฐานในแคตตาล็อก "
            "(ระบุชื่อเอกสารตามที่หน่วยงานเรียกและรูปแบบไฟล์) ไม่นับในตัวชี้วัด ตามที่แจ้ง: หน่วยงานภาครัฐของสาขาที่เป็นคู่การเชื่อมโยงดังกล่าวกับหน่วยงานภาครัฐอื่น "
            "ที่มีผลในปีนั้น และไม่มีการเชื่อมโยงที่นับได้ภายใต้มาตรฐาน เกิดขึ้นจริง: หน่วยงานที่รายงานเหตุการณ์อย่างน้อยหนึ่งข้อความบนการเชื่อมโยงดังกล่าวด้วยกุญแจของตนเอง "
            "ซึ่งช่วงเวลาเริ่มในปีนั้น และไม่ได้นับเป็นเกิดขึ้นจริงภายใต้มาตรฐานกลาง ผลรวมของสองตัวเลขเกิดขึ้นจริงคือหน่วยงานทั้งหมดที่พบว่าแลกเปลี่ยนข้อมูลกับหน่วยงานภาครัฐอื่น"
        ),
    },
    "period": {
        "en": (
            "Years are Gregorian (CE) with the Buddhist Era year beside them (BE = CE + 543); a fiscal year runs from "
            "1 October to 30 September and is named by the year it ends in. Boundaries are midnight, Bangkok time (UTC+7)."
        ),
        "th": (
            "ปีแสดงทั้ง ค.ศ. และ พ.ศ. (พ.ศ. = ค.ศ. + 543) ปีงบประมาณเริ่ม 1 ตุลาคม ถึง 30 กันยายน "
            "และเรียกตามปีที่สิ้นสุด ขอบเขตของปีคือเวลาเที่ยงคืนตามเวลาประเทศไทย (UTC+7)"
        ),
    },
    "provenance": {
        "en": (
            "Every figure carries the time it was computed (as of) and the registry log's signed checkpoint at that "
            "moment (size and Merkle root). Only events recorded by the log before that checkpoint are counted, so "
            "the figure can be recomputed later; `dxs registry verify --checkpoint` proves the log still extends it."
        ),
        "th": (
            "ทุกตัวเลขระบุเวลาที่คำนวณ (ณ เวลา) และจุดตรวจสอบ (checkpoint) ที่ลงนามของบันทึกทะเบียน ณ ขณะนั้น (ขนาดและ Merkle root) "
            "นับเฉพาะเหตุการณ์ที่บันทึกก่อนจุดตรวจสอบนั้น จึงคำนวณซ้ำภายหลังได้ และตรวจได้ด้วย dxs registry verify --checkpoint"
        ),
    },
}


def definitions() -> dict[str, dict[str, str]]:
    """A copy of the definitions, to embed in a published report."""
    return {k: dict(v) for k, v in DEFINITIONS.items()}
