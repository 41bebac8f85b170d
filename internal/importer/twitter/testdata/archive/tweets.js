window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : {"initial" : {"editTweetIds" : ["1700000000000000101"], "editableUntil" : "2023-09-08T10:00:00.000Z", "editsRemaining" : "5", "isEditEligible" : true}},
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {"hashtags" : [], "symbols" : [], "user_mentions" : [], "urls" : [{"url" : "https://t.co/zYx987", "expanded_url" : "https://example.com/rapport", "display_url" : "example.com/rapport", "indices" : ["40", "63"]}]},
      "display_text_range" : ["0", "63"],
      "favorite_count" : "3",
      "id_str" : "1700000000000000101",
      "truncated" : false,
      "retweet_count" : "1",
      "id" : "1700000000000000101",
      "created_at" : "Fri Sep 08 09:00:00 +0000 2023",
      "favorited" : false,
      "full_text" : "Le rapport complet est publié ici : https://t.co/zYx987",
      "lang" : "fr"
    }
  },
  {
    "tweet" : {
      "entities" : {"hashtags" : [], "urls" : [], "media" : [{"media_url_https" : "https://pbs.twimg.example/media/F5aBcD.jpg", "type" : "photo"}]},
      "extended_entities" : {"media" : [{"media_url_https" : "https://pbs.twimg.example/media/F5aBcD.jpg", "type" : "photo", "id_str" : "1700000000000000555"}]},
      "id_str" : "1700000000000000102",
      "in_reply_to_status_id_str" : "1700000000000000101",
      "id" : "1700000000000000102",
      "created_at" : "Sat Sep 09 14:30:00 +0000 2023",
      "full_text" : "صورة من التجمع https://t.co/pIcT01",
      "lang" : "ar"
    }
  }
]
