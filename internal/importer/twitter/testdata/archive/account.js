window.YTD.account.part0 = [
  {
    "account" : {
      "email" : "owner@example.invalid",
      "createdVia" : "web",
      "username" : "archive_owner_test",
      "accountId" : "777000111",
      "createdAt" : "2015-03-01T10:00:00.000Z",
      "accountDisplayName" : "Archive Owner"
    }
  }
]
