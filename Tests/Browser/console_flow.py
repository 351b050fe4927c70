#!/usr/bin/env python3
"""The console as a person uses it, in a real Chromium driven by Selenium (run by ConsoleBrowserTests).

Prints one `step: …` line per step it finished; any failed check raises, prints `FAILED: …` and
exits 1. The Swift test requires every step line, so a step that silently did not run fails too.
"""
import argparse
import csv
import io
import json
import sys
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def step(name):
    print("step: " + name, flush=True)


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900",
                 "--lang=id-ID"):
        options.add_argument(flag)
    # Most users' browsers ask for Indonesian; headless Chromium otherwise asks for en-US.
    options.add_experimental_option("prefs", {"intl.accept_languages": "id-ID,id"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def api(base, token, path):
    request = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(request, timeout=20) as answer:
        return json.loads(answer.read())


def login(driver, base, name, password):
    driver.get(base + "/login")
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "login-submit").click()


def console_errors(driver):
    return [entry for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    base = args.base
    driver = browser()
    wait = WebDriverWait(driver, 20)
    errors = []
    try:
        # Log in as the 16.71 operator and see the overview.
        login(driver, base, "ops-plg", args.password)
        wait.until(EC.presence_of_element_located((By.ID, "state-table")))
        check(driver.find_element(By.TAG_NAME, "h1").text == "Ringkasan", "the overview is in Indonesian")
        check("ops-plg" in driver.find_element(By.ID, "current-user").text, "the user is shown")
        incidents = driver.find_element(By.ID, "incidents").text
        check("PLG-CCTV-LAN" in incidents, "the open incident is listed: " + incidents)
        errors += console_errors(driver)
        step("login and overview")

        # Filter devices: choosing a kind submits the form (the console's one script).
        driver.find_element(By.LINK_TEXT, "Perangkat").click()
        wait.until(EC.presence_of_element_located((By.ID, "devices")))
        Select(driver.find_element(By.ID, "kind")).select_by_value("cctv")
        wait.until(EC.url_contains("kind=cctv"))
        rows = driver.find_elements(By.CSS_SELECTOR, "#devices tbody tr")
        ids = [row.get_attribute("data-id") for row in rows]
        check(ids == ["PLG-CCTV-1", "PLG-CCTV-LAN", "PLG-CCTV-PRIV", "PLG-CCTV-PUB"], "cctv rows: %s" % ids)
        box = driver.find_element(By.ID, "q")
        box.send_keys("pub")
        driver.find_element(By.ID, "filter-submit").click()
        wait.until(EC.url_contains("q=pub"))
        ids = [row.get_attribute("data-id") for row in driver.find_elements(By.CSS_SELECTOR, "#devices tbody tr")]
        check(ids == ["PLG-CCTV-PUB"], "text filter: %s" % ids)
        errors += console_errors(driver)
        step("filter devices")

        # The CSV of what is shown, fetched with the page's own session, against the JSON API.
        driver.get(base + "/devices?kind=cctv")
        href = driver.find_element(By.ID, "csv-link").get_attribute("href")
        # The page's CSP allows no fetch from scripts, so the download goes over the browser's session cookie.
        session = driver.get_cookie("nadi_session")["value"]
        request = urllib.request.Request(href, headers={"Cookie": "nadi_session=" + session})
        with urllib.request.urlopen(request, timeout=20) as answer:
            check("attachment" in answer.headers.get("Content-Disposition", ""), "the CSV is a download")
            text = answer.read().decode("utf-8")
        table = list(csv.DictReader(io.StringIO(text)))
        shown = [row.get_attribute("data-id") for row in driver.find_elements(By.CSS_SELECTOR, "#devices tbody tr")]
        check([row["id"] for row in table] == shown, "the CSV holds the rows shown: %s vs %s" % ([r["id"] for r in table], shown))
        for row in table:
            device = api(base, args.token, "/v1/devices/" + row["id"])
            check(device["status"] == row["status"] and device["region"] == row["region"] and device["kind"] == row["kind"],
                  "CSV row %s matches the API: %s" % (row, device))
        step("csv matches the json api")

        # A device's timeline, then another window.
        driver.find_element(By.CSS_SELECTOR, "#devices a[href='/devices/PLG-CCTV-LAN']").click()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#timeline svg.timeline")))
        check(len(driver.find_elements(By.CSS_SELECTOR, "#timeline rect.s-down")) >= 1, "the down stretch is drawn")
        check(len(driver.find_elements(By.CSS_SELECTOR, "#timeline rect.s-up")) >= 1, "the up stretch is drawn")
        check("mati" in driver.find_element(By.ID, "device-status").text, "the state is in Indonesian")
        driver.find_element(By.ID, "window-7d").click()
        wait.until(EC.url_contains("window=7d"))
        check(driver.find_element(By.ID, "window-7d").get_attribute("class") == "active", "the 7-day window is chosen")
        check(len(driver.find_elements(By.CSS_SELECTOR, "#pings tbody tr")) == 20, "the last 20 pings are listed")
        errors += console_errors(driver)
        step("device timeline")

        # Coverage: drill into a kecamatan; the trajectory is drawn with its projection sentence.
        driver.find_element(By.LINK_TEXT, "Cakupan").click()
        wait.until(EC.presence_of_element_located((By.ID, "coverage")))
        check(len(driver.find_elements(By.CSS_SELECTOR, "svg.trajectory")) >= 1, "a trajectory chart")
        check(driver.find_element(By.CSS_SELECTOR, ".projection-text").text != "", "a projection sentence")
        driver.find_element(By.CSS_SELECTOR, "a.drill[data-region='16.71.01']").click()
        wait.until(EC.url_contains("region=16.71.01"))
        check("16.71.01" in driver.find_element(By.CLASS_NAME, "asof").text or "16.71.01" in driver.page_source, "drilled in")
        check(len(driver.find_elements(By.ID, "drill-up")) == 1, "a way back up")
        errors += console_errors(driver)
        step("coverage drill-down and trajectory")

        # English by the switch, remembered on the next page.
        driver.find_element(By.ID, "lang-switch").click()
        wait.until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
        driver.find_element(By.LINK_TEXT, "Overview").click()
        wait.until(EC.presence_of_element_located((By.ID, "state-table")))
        check(driver.find_element(By.TAG_NAME, "h1").text == "Overview", "English is remembered")
        step("switch language")

        # Log out: the console asks for a login again.
        driver.find_element(By.ID, "logout").click()
        wait.until(EC.presence_of_element_located((By.ID, "login-form")))
        driver.get(base + "/devices")
        check("/login" in driver.current_url, "logged out: " + driver.current_url)
        step("log out")

        # A 16.71 viewer: 404 on a 16.01 device, no 16.01 row anywhere.
        login(driver, base, "viewer-plg", args.password)
        wait.until(EC.presence_of_element_located((By.ID, "state-table")))
        driver.get(base + "/devices/OKU-VT-1")
        check(driver.find_elements(By.ID, "error-message"), "a 16.01 device is not found for a 16.71 viewer")
        for path in ("/", "/devices", "/coverage", "/uptime", "/schools"):
            driver.get(base + path)
            check("OKU-" not in driver.page_source and "16.01" not in driver.page_source, path + " shows 16.01")
        errors += [e for e in console_errors(driver) if "404" not in e.get("message", "")]
        step("viewer region scope")

        # The public school page: the public camera, never the private one.
        driver.delete_all_cookies()
        driver.get(base + "/sekolah?q=SMA")
        driver.find_element(By.CSS_SELECTOR, "#school-results a").click()
        wait.until(EC.presence_of_element_located((By.ID, "school-status")))
        page = driver.page_source
        check("stream.palembang.go.id" in page, "the public stream is linked")
        check("10.9.9.9" not in page and "Ruang guru" not in page and "hunter2" not in page, "nothing private")
        errors += console_errors(driver)
        step("public school page")

        check(not errors, "JavaScript console errors: %s" % errors)
        step("no javascript errors")
    except Exception as error:  # noqa: BLE001 - the test reports any failure with the page it was on
        print("FAILED: %s (at %s)" % (error, driver.current_url), flush=True)
        sys.exit(1)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
