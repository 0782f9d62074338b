//! Calendar dates of model releases: `YYYY-MM-DD` text, checked, and the decimal year the
//! observations table gives them.

use std::fmt;

/// A day of the proleptic Gregorian calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Parse `YYYY-MM-DD` (four-digit year, two-digit month and day, a real day of that month).
    pub fn parse(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        if !(digits(0..4) && digits(5..7) && digits(8..10)) {
            return None;
        }
        let year = text[0..4].parse().ok()?;
        let month = text[5..7].parse().ok()?;
        let day = text[8..10].parse().ok()?;
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Day of the year, 1 for 1 January.
    pub fn day_of_year(self) -> u32 {
        (1..self.month)
            .map(|m| days_in_month(self.year, m))
            .sum::<u32>()
            + self.day
    }

    /// The decimal year `Y + (day_of_year - 1) / days_in_year`.
    pub fn decimal_year(self) -> f64 {
        let days = if is_leap(self.year) { 366.0 } else { 365.0 };
        f64::from(self.year) + f64::from(self.day_of_year() - 1) / days
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Every real day parses back to itself, and the decimal year grows by one day's share
        /// of the year from one day to the next, within [Y, Y + 1).
        #[test]
        fn days_parse_back_and_decimal_years_step_by_a_day(year in 1900i32..2100, day in 1u32..=365) {
            let days = if is_leap(year) { 366 } else { 365 };
            let mut d = Date { year, month: 1, day: 1 };
            for _ in 1..day {
                d = next(d);
            }
            prop_assert_eq!(Date::parse(&d.to_string()), Some(d));
            prop_assert_eq!(d.day_of_year(), day);
            let y = d.decimal_year();
            prop_assert!(y >= f64::from(year) && y < f64::from(year + 1));
            let after = next(d).decimal_year();
            let step = if day == days { f64::from(year + 1) - y } else { 1.0 / f64::from(days) };
            prop_assert!((after - y - step).abs() < 1e-9);
        }
    }

    fn next(d: Date) -> Date {
        if d.day < days_in_month(d.year, d.month) {
            Date {
                day: d.day + 1,
                ..d
            }
        } else if d.month < 12 {
            Date {
                month: d.month + 1,
                day: 1,
                ..d
            }
        } else {
            Date {
                year: d.year + 1,
                month: 1,
                day: 1,
            }
        }
    }

    #[test]
    fn parses_real_days_only() {
        let d = Date::parse("2024-12-17").unwrap();
        assert_eq!((d.year, d.month, d.day), (2024, 12, 17));
        assert_eq!(d.to_string(), "2024-12-17");
        assert!(Date::parse("2024-02-29").is_some());
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-04-31",
            "2024-1-01",
            "24-01-01",
            "2024/01/01",
            "2024-01-01 ",
            "+024-01-01",
            "",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn decimal_year_counts_days_from_new_year() {
        // 2024 is a leap year: 17 December is day 31+29+31+30+31+30+31+31+30+31+30+17 = 352.
        let d = Date::parse("2024-12-17").unwrap();
        assert_eq!(d.day_of_year(), 352);
        assert_eq!(d.decimal_year(), 2024.0 + 351.0 / 366.0);
        // 2025 is not: 1 March is day 31 + 28 + 1 = 60.
        let d = Date::parse("2025-03-01").unwrap();
        assert_eq!(d.day_of_year(), 60);
        assert_eq!(d.decimal_year(), 2025.0 + 59.0 / 365.0);
        assert_eq!(Date::parse("2023-01-01").unwrap().decimal_year(), 2023.0);
        assert_eq!(
            Date::parse("2023-12-31").unwrap().decimal_year(),
            2023.0 + 364.0 / 365.0
        );
        assert!(Date::parse("1900-03-01").unwrap().day_of_year() == 60); // 1900 is not leap
        assert!(Date::parse("2000-03-01").unwrap().day_of_year() == 61); // 2000 is
    }
}
