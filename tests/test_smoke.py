from django.urls import reverse


def test_start_page_greets_member_in_swedish(alice_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = alice_client.get(reverse("start"))
    assert response.status_code == 200
    assert "Alice Andersson" in response.content.decode()


def test_visitor_is_sent_to_login(client, db):
    response = client.get(reverse("start"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
