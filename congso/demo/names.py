"""Deterministic Vietnamese names for demo people and places (a seeded generator, so every run is the same)."""

import random

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý"]
MIDDLE_M = ["Văn", "Đức", "Minh", "Quốc", "Hữu", "Công", "Thành", "Xuân"]
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Thanh", "Hồng", "Mai", "Kim", "Phương"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phúc", "Quân", "Sơn",
           "Tài", "Thắng", "Trung", "Tuấn", "Việt"]
GIVEN_F = ["Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Loan", "Nga", "Nhung",
           "Oanh", "Thảo", "Trang", "Vân", "Yến"]
PLACE_WORDS = ["An", "Bình", "Phú", "Tân", "Hòa", "Phước", "Thạnh", "Long", "Mỹ", "Hưng", "Thuận", "Lộc",
               "Đông", "Tây", "Nam", "Bắc", "Trung", "Xuân", "Hải", "Sơn", "Lâm", "Quang", "Vĩnh", "Thịnh"]


class NameMaker:
    def __init__(self, seed: int = 2026):
        self.random = random.Random(seed)

    def person(self) -> tuple[str, bool]:
        """(full name, is_female)."""
        female = self.random.random() < 0.5
        middle = self.random.choice(MIDDLE_F if female else MIDDLE_M)
        given = self.random.choice(GIVEN_F if female else GIVEN_M)
        return f"{self.random.choice(FAMILY)} {middle} {given}", female

    def place(self, used: set[str]) -> str:
        while True:
            name = f"{self.random.choice(PLACE_WORDS)} {self.random.choice(PLACE_WORDS)}"
            first, second = name.split()
            if first != second and name not in used:
                used.add(name)
                return name
