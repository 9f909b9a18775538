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
            "Indicator 16 — agencies exchanging data under common standards, per key sector: the active agencies of "
            "the sector that were a party (provider or consumer) to at least one exchange link in force during the "
            "year, under a standard version that was announced and not yet deprecated at the time, divided by all "
            "active agencies of the sector. Declared rate: such a link was in force. Observed rate (the headline): "
            "an event record with at least one message was also logged on it, its window starting in the year while "
            "the version was announced. An agency counts once, in its own sector, whatever the sectors of its "
            "partners or standards. Inactive (suspended) agencies are left out of both counts."
        ),
        "th": (
            "ตัวชี้วัดที่ 16 — สัดส่วนหน่วยงานในสาขาสำคัญที่แลกเปลี่ยนข้อมูลด้วยมาตรฐานกลาง: จำนวนหน่วยงานที่ยังดำเนินงานอยู่ของสาขา "
            "ซึ่งเป็นคู่การเชื่อมโยง (ผู้ให้หรือผู้รับข้อมูล) อย่างน้อยหนึ่งรายการที่มีผลในปีนั้น ภายใต้มาตรฐานเวอร์ชันที่ประกาศใช้และยังไม่เลิกแนะนำในขณะนั้น "
            "หารด้วยจำนวนหน่วยงานที่ยังดำเนินงานอยู่ทั้งหมดของสาขา อัตราตามที่แจ้ง (declared): มีการเชื่อมโยงดังกล่าว "
            "อัตราที่เกิดขึ้นจริง (observed, ตัวเลขหลัก): มีการบันทึกเหตุการณ์แลกเปลี่ยนข้อมูลอย่างน้อยหนึ่งข้อความบนการเชื่อมโยงนั้น "
            "ซึ่งช่วงเวลาเริ่มในปีนั้นขณะที่เวอร์ชันยังประกาศใช้ หน่วยงานหนึ่งนับครั้งเดียวในสาขาของตนเอง "
            "หน่วยงานที่ระงับการดำเนินงาน (inactive) ไม่นับทั้งตัวตั้งและตัวหาร"
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
