#!/usr/bin/env python3
"""Screenshots of the Nadi console at desktop (1280 px) and phone (390 px) widths.

Usage: python3 Deploy/console_screenshots.py --base http://127.0.0.1:8080 --user demo \
           --password-file nadi-data/demo-console --out screenshots/
Needs Debian's chromium and chromium-driver and Selenium from PyPI (Deploy/setup.sh --browser).
"""
import argparse
import pathlib

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def driver(width):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", f"--window-size={width},900"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def full_page(browser, path, width):
    height = browser.execute_script("return Math.min(document.documentElement.scrollHeight, 6000)")
    browser.set_window_size(width, max(height, 600))
    browser.save_screenshot(str(path))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="http://127.0.0.1:8080")
    parser.add_argument("--user", default="demo")
    parser.add_argument("--password-file", default="nadi-data/demo-console")
    parser.add_argument("--device", default="PLG-FO-2")
    parser.add_argument("--school", default=None, help="NPSN of the public school page (default: the first search hit)")
    parser.add_argument("--out", default="screenshots")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    password = pathlib.Path(args.password_file).read_text().strip()
    for width, label in ((1280, "desktop"), (390, "phone")):
        browser = driver(width)
        try:
            browser.get(args.base + "/login")
            browser.find_element(By.ID, "name").send_keys(args.user)
            browser.find_element(By.ID, "password").send_keys(password)
            browser.find_element(By.ID, "login-submit").click()
            for name, path in (("overview", "/"), ("device", f"/devices/{args.device}?window=24h"),
                               ("coverage", "/coverage"), ("schools", "/schools")):
                browser.get(args.base + path)
                full_page(browser, out / f"{name}-{label}.png", width)
            browser.get(args.base + "/sekolah?q=SMA")
            school = args.school
            if school is None:
                links = browser.find_elements(By.CSS_SELECTOR, "#school-results a")
                school = links[0].get_attribute("href").rsplit("/", 1)[1] if links else None
            if school:
                browser.get(args.base + "/sekolah/" + school)
                full_page(browser, out / f"public-school-{label}.png", width)
        finally:
            browser.quit()
    for path in sorted(out.glob("*.png")):
        print(path)


if __name__ == "__main__":
    main()
