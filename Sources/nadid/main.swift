print("nadid")
