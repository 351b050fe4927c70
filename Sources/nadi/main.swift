print("nadi")
